// Key Vault holding the HMAC keys that sign reviewer callback links. Two secrets allow rotation
// without breaking links already sent: the app signs with the current key and accepts both.
// RBAC authorization only (no access policies); the app identity is "Key Vault Secrets User"
// (read secret values) on this vault and nothing else.

@description('Name of the Key Vault (3-24 characters).')
@minLength(3)
@maxLength(24)
param name string

@description('False with private networking: the vault answers only its private endpoint.')
param publicNetworkAccess bool = true

@description('Azure region.')
param location string

@description('Tags applied to the resources.')
param tags object

@description('Name of the user-assigned managed identity (in this resource group) that reads the secrets.')
param identityName string

@description('Value of the current callback signing key.')
@secure()
param callbackSigningKeyCurrent string

@description('Create the previous-key secret (a previous key id is configured).')
param createPreviousKey bool = false

@description('Value of the previous callback signing key; used when createPreviousKey is true.')
@secure()
param callbackSigningKeyPrevious string = ''

@description('Days a deleted vault or secret is retained before it can be purged.')
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int = 90

// Built-in role: Key Vault Secrets User.
var keyVaultSecretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: identityName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    enablePurgeProtection: true
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: publicNetworkAccess ? 'Enabled' : 'Disabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: publicNetworkAccess ? 'Allow' : 'Deny'
    }
  }
}

resource currentKey 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'callback-signing-key-current'
  properties: {
    value: callbackSigningKeyCurrent
    contentType: 'text/plain; purpose=callback-hmac'
  }
}

resource previousKey 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (createPreviousKey) {
  parent: vault
  name: 'callback-signing-key-previous'
  properties: {
    value: callbackSigningKeyPrevious
    contentType: 'text/plain; purpose=callback-hmac'
  }
}

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identity.id, keyVaultSecretsUserRoleId)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRoleId)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

output id string = vault.id
output name string = vault.name
output uri string = vault.properties.vaultUri
// Versionless secret URIs: a Key Vault reference without a version follows the latest version
// (the platform re-reads it within 24 hours, or at once on an app-setting change/restart).
output currentKeyReferenceUri string = currentKey.properties.secretUri
output previousKeyReferenceUri string = !createPreviousKey ? '' : previousKey!.properties.secretUri
