// Durable Task Scheduler (managed backend for Durable Functions) with one task hub, and the
// "Durable Task Data Contributor" role for the app identity on that task hub only.
// Deployed only when main.bicep's durableBackend = 'DurableTaskScheduler'.

@description('Name of the scheduler.')
param name string

@description('Azure region.')
param location string

@description('Tags applied to the resources.')
param tags object

@description('Name of the task hub (must equal hubName in host.json).')
param taskHubName string

@description('Scheduler SKU: Consumption (pay per action) or Dedicated (reserved capacity units).')
@allowed([
  'Consumption'
  'Dedicated'
])
param skuName string = 'Consumption'

@description('Capacity units; used by the Dedicated SKU only.')
@minValue(1)
@maxValue(3)
param skuCapacity int = 1

@description('IP ranges allowed to reach the scheduler endpoint.')
param ipAllowlist string[] = [
  '0.0.0.0/0'
]

@description('Name of the user-assigned managed identity (in this resource group) that runs orchestrations.')
param identityName string

// Built-in role: Durable Task Data Contributor.
var durableTaskDataContributorRoleId = '0ad04412-c4d5-4796-b79c-f76d14c8d402'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: identityName
}

resource scheduler 'Microsoft.DurableTask/schedulers@2025-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    ipAllowlist: ipAllowlist
    sku: skuName == 'Dedicated'
      ? {
          name: skuName
          capacity: skuCapacity
        }
      : {
          name: skuName
        }
  }
}

resource taskHub 'Microsoft.DurableTask/schedulers/taskHubs@2025-11-01' = {
  parent: scheduler
  name: taskHubName
}

resource dataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(taskHub.id, identity.id, durableTaskDataContributorRoleId)
  scope: taskHub
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', durableTaskDataContributorRoleId)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

output name string = scheduler.name
output endpoint string = scheduler.properties.endpoint
output taskHubName string = taskHub.name
